package guard

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// QueueOptions say how guard reads its queue.
type QueueOptions struct {
	URL    string
	Client *sqs.Client
	// Pollers receive in parallel, each up to 10 messages at a time (default 4). A poller hands each batch to
	// a handler and receives again, up to MaxBatches batches in hand (default 32: 320 messages, at most 80 MiB
	// of bodies); a burst on one account-region is then settled by one or two reads.
	Pollers    int
	MaxBatches int
	// Wait is the long-poll time (default and maximum 20 s).
	Wait time.Duration
	// Visibility is the visibility timeout guard asks for on receipt and extends while a message is handled
	// (default 60 s).
	Visibility time.Duration
	// Reconcile is the interval of full reconciles (0: none); the first one runs at start.
	Reconcile time.Duration
}

func (q *QueueOptions) defaults() {
	if q.Pollers < 1 {
		q.Pollers = 4
	}
	if q.MaxBatches < 1 {
		q.MaxBatches = 32
	}
	if q.Wait <= 0 || q.Wait > 20*time.Second {
		q.Wait = 20 * time.Second
	}
	if q.Visibility < 10*time.Second {
		q.Visibility = 60 * time.Second
	}
}

// Run long-polls the queue until ctx is cancelled (SIGTERM), then stops receiving, finishes the messages in
// hand (handled and deleted, or left for redelivery), and returns. A message is deleted only after it was
// handled; while it is handled its visibility timeout is extended, so no other consumer takes it meanwhile.
func (g *Guard) Run(ctx context.Context, q QueueOptions) error {
	q.defaults()
	// Messages in hand are finished even after ctx is cancelled: losing one is what must not happen.
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	if q.Reconcile > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.reconcileEvery(ctx, q.Reconcile)
		}()
	}
	slots := make(chan struct{}, q.MaxBatches)
	var handlers sync.WaitGroup
	for range q.Pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.poll(ctx, work, q, slots, &handlers)
		}()
	}
	wg.Wait()
	// Receiving has stopped; the batches in hand are finished before Run returns.
	handlers.Wait()
	g.o.Log.Info("stopped: no message in hand")
	return nil
}

func (g *Guard) reconcileEvery(ctx context.Context, every time.Duration) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := g.Reconcile(ctx); err != nil && ctx.Err() == nil {
			g.o.Log.Error("reconcile", "error", err.Error())
		}
		t.Reset(every)
	}
}

func (g *Guard) poll(ctx, work context.Context, q QueueOptions, slots chan struct{}, handlers *sync.WaitGroup) {
	backoff := time.Second
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		out, err := q.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: int32(q.Wait / time.Second),
			VisibilityTimeout:           int32(q.Visibility / time.Second),
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSentTimestamp, sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil || len(out.Messages) == 0 {
			<-slots
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			g.o.Metrics.error("receive")
			g.o.Log.Error("cannot receive from the queue", "error", err.Error(), "retry_in_seconds", backoff.Seconds())
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		g.o.Metrics.polled(g.o.Now())
		if len(out.Messages) == 0 {
			continue
		}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			defer func() { <-slots }()
			g.handleReceived(work, q, out.Messages)
		}()
	}
}

// handleReceived handles one received batch: extends visibility while it works, deletes what was handled,
// and puts malformed messages straight back (visibility 0) so they reach the dead-letter queue quickly.
func (g *Guard) handleReceived(ctx context.Context, q QueueOptions, raw []sqstypes.Message) {
	msgs := make([]Message, len(raw))
	for i, m := range raw {
		msgs[i] = Message{ID: aws.ToString(m.MessageId), Body: []byte(aws.ToString(m.Body))}
		if ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
			msgs[i].Sent = time.UnixMilli(ms)
		}
	}
	g.o.Metrics.inflight(len(msgs))
	defer g.o.Metrics.inflight(-len(msgs))
	stop := make(chan struct{})
	var ext sync.WaitGroup
	ext.Add(1)
	go func() {
		defer ext.Done()
		g.extend(ctx, q, raw, stop)
	}()
	errs := g.HandleBatch(ctx, msgs)
	close(stop)
	ext.Wait()
	var del []sqstypes.DeleteMessageBatchRequestEntry
	var back []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	for i, err := range errs {
		id := strconv.Itoa(i)
		switch {
		case err == nil:
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(id), ReceiptHandle: raw[i].ReceiptHandle})
		case errors.Is(err, ErrMalformed):
			back = append(back, sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(id), ReceiptHandle: raw[i].ReceiptHandle, VisibilityTimeout: 0})
		default:
			g.o.Log.Warn("message left for redelivery", "message_id", msgs[i].ID, "error", err.Error())
		}
	}
	if len(del) > 0 {
		out, err := q.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: del})
		switch {
		case err != nil:
			g.o.Metrics.error("delete")
			g.o.Log.Error("cannot delete handled messages (they will be redelivered and handled again, harmlessly)", "error", err.Error())
		case len(out.Failed) > 0:
			g.o.Metrics.error("delete")
			g.o.Log.Error("some handled messages were not deleted (they will be redelivered and handled again, harmlessly)", "failed", len(out.Failed), "error", aws.ToString(out.Failed[0].Message))
		}
	}
	if len(back) > 0 {
		if _, err := q.Client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.URL), Entries: back}); err != nil {
			g.o.Metrics.error("visibility")
		}
	}
}

// extend keeps the batch invisible while it is handled: every half visibility timeout it is reset.
func (g *Guard) extend(ctx context.Context, q QueueOptions, raw []sqstypes.Message, stop <-chan struct{}) {
	t := time.NewTicker(q.Visibility / 2)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(raw))
		for i, m := range raw {
			entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(q.Visibility / time.Second)}
		}
		if _, err := q.Client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.URL), Entries: entries}); err != nil {
			g.o.Metrics.error("visibility")
			g.o.Log.Warn("cannot extend the visibility of messages in hand", "error", err.Error())
		}
	}
}

// HandleLambda is the AWS Lambda handler for an SQS event source: the same handling as the daemon, with
// partial batch failure responses (the event source mapping needs FunctionResponseTypes
// ReportBatchItemFailures): the messages listed are retried and, past maxReceiveCount, go to the DLQ.
func (g *Guard) HandleLambda(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	msgs := make([]Message, len(ev.Records))
	for i, r := range ev.Records {
		msgs[i] = Message{ID: r.MessageId, Body: []byte(r.Body)}
		if ms, err := strconv.ParseInt(r.Attributes["SentTimestamp"], 10, 64); err == nil {
			msgs[i].Sent = time.UnixMilli(ms)
		}
	}
	var resp events.SQSEventResponse
	for i, err := range g.HandleBatch(ctx, msgs) {
		if err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msgs[i].ID})
		}
	}
	return resp, nil
}

// RegionOfQueueURL is the region in an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), or "".
func RegionOfQueueURL(u string) string {
	const pre = "https://sqs."
	if len(u) <= len(pre) || u[:len(pre)] != pre {
		return ""
	}
	rest := u[len(pre):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '.' {
			if r := rest[:i]; ValidRegion(r) {
				return r
			}
			return ""
		}
	}
	return ""
}
