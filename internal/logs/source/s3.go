package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/pagination"
)

// S3API is what the S3 source calls.
type S3API interface {
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// NewS3Client returns an S3 client for cfg (path-style addressing against a custom endpoint).
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsconf.UsesCustomEndpoint(cfg) })
}

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", "", fmt.Errorf("bad S3 URL %q: want s3://bucket/prefix", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, nil
}

// S3Listing is what ListS3 did, for tests and diagnostics.
type S3Listing struct {
	Units []Unit
	// Prefixes are the prefixes listed, in order; date-pruned listing shows only the days of the range.
	Prefixes []string
}

// deliveryPad is how long after a record's start its object may be delivered (aggregation + delivery delay).
const deliveryPad = time.Hour

// ListS3 lists the flow-log objects under s3://bucket/prefix. It walks account and region directories with
// delimiter listings; where the date levels start it lists only the days that overlap [since, until] (when
// both are set), and skips objects whose delivery time in the name falls outside the range. A bucket that does
// not exist, or a prefix with no objects (in the range), is a *NotFoundError.
func ListS3(ctx context.Context, c S3API, url string, since, until time.Time) (*S3Listing, error) {
	bucket, prefix, err := ParseS3URL(url)
	if err != nil {
		return nil, err
	}
	l := &s3Lister{c: c, bucket: bucket, since: since, until: until, out: &S3Listing{}}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		// A key or a partial name: everything below it.
		err = l.listAll(ctx, prefix)
	} else {
		err = l.walk(ctx, prefix, 0)
	}
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket" {
			return nil, &NotFoundError{fmt.Sprintf("bucket %s does not exist", bucket)}
		}
		return nil, err
	}
	if len(l.out.Units) == 0 {
		msg := "no objects under " + url
		if !since.IsZero() || !until.IsZero() {
			msg += fmt.Sprintf(" delivered in the time range (%s to %s; %d objects outside it)", rangeEnd(since), rangeEnd(until), l.seen)
		}
		return nil, &NotFoundError{msg}
	}
	// Prefixes are listed in parallel: put the objects in key order, so that the same listing gives the same
	// units in the same order (reports merge per-unit results in unit order).
	slices.SortFunc(l.out.Units, func(a, b Unit) int { return strings.Compare(a.Name(), b.Name()) })
	return l.out, nil
}

type s3Lister struct {
	c            S3API
	bucket       string
	since, until time.Time
	out          *S3Listing
	mu           sync.Mutex
	seen         int // objects listed, in the time range or not
}

func (l *s3Lister) list(ctx context.Context, prefix, delim string, obj func(key string, size int64), dir func(string)) error {
	l.mu.Lock()
	l.out.Prefixes = append(l.out.Prefixes, prefix)
	l.mu.Unlock()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(prefix)}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	p := s3.NewListObjectsV2Paginator(l.c, in, func(o *s3.ListObjectsV2PaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(0)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err == nil {
			err = guard.Next(page.NextContinuationToken)
		}
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", l.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			obj(aws.ToString(o.Key), aws.ToInt64(o.Size))
		}
		for _, cp := range page.CommonPrefixes {
			dir(aws.ToString(cp.Prefix))
		}
	}
	return nil
}

func (l *s3Lister) addObject(key string, size int64) {
	if strings.HasSuffix(key, "/") || size == 0 {
		return
	}
	l.mu.Lock()
	l.seen++
	l.mu.Unlock()
	if t, ok := layout.KeyTime(key); ok {
		if !l.since.IsZero() && t.Before(l.since) {
			return
		}
		if !l.until.IsZero() && !t.Before(l.until.Add(deliveryPad)) {
			return
		}
	}
	l.mu.Lock()
	l.out.Units = append(l.out.Units, S3Object{Client: l.c, Bucket: l.bucket, Key: key, Size: size})
	l.mu.Unlock()
}

func (l *s3Lister) listAll(ctx context.Context, prefix string) error {
	return l.list(ctx, prefix, "", l.addObject, func(string) {})
}

func (l *s3Lister) walk(ctx context.Context, prefix string, depth int) error {
	var dirs []string
	if err := l.list(ctx, prefix, "/", l.addObject, func(d string) { dirs = append(dirs, d) }); err != nil {
		return err
	}
	dated := false
	hive := false
	var other []string
	for _, d := range dirs {
		if y, h := layout.IsYearDir(strings.TrimPrefix(d, prefix)); y {
			dated, hive = true, h
		} else {
			other = append(other, d)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	if dated {
		if !l.since.IsZero() && !l.until.IsZero() {
			for _, day := range layout.DayPrefixes(l.since, l.until.Add(deliveryPad-time.Second), hive) {
				g.Go(func() error { return l.listAll(gctx, prefix+day) })
			}
		} else {
			for _, d := range dirs {
				if y, _ := layout.IsYearDir(strings.TrimPrefix(d, prefix)); y {
					g.Go(func() error { return l.listAll(gctx, d) })
				}
			}
		}
	}
	if depth < 8 {
		for _, d := range other {
			g.Go(func() error { return l.walk(gctx, d, depth+1) })
		}
	}
	return g.Wait()
}

// S3Object is one delivered object: gzip or plain text, or Parquet (by its .parquet name).
type S3Object struct {
	Client S3API
	Bucket string
	Key    string
	Size   int64
}

func (o S3Object) Name() string { return "s3://" + o.Bucket + "/" + o.Key }

func (o S3Object) Read(ctx context.Context, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return flowlog.Stats{}, fmt.Errorf("get %s: %w", o.Name(), err)
	}
	defer out.Body.Close()
	if strings.HasSuffix(o.Key, ".parquet") {
		// Parquet needs random access; delivered objects are at most ~75 MB.
		data, err := io.ReadAll(out.Body)
		if err != nil {
			return flowlog.Stats{}, fmt.Errorf("get %s: %w", o.Name(), err)
		}
		addBytes(ctx, int64(len(data)))
		return ReadParquet(ctx, bytes.NewReader(data), int64(len(data)), o.Name(), opts, fn)
	}
	st, err := ReadStream(ctx, out.Body, o.Name(), opts, fn)
	if err != nil {
		return st, fmt.Errorf("%s: %w", o.Name(), err)
	}
	return st, nil
}

func rangeEnd(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.UTC().Format(time.RFC3339)
}
