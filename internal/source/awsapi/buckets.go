package awsapi

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/inventory"
)

// collectBuckets checks that each S3 bucket flow logs deliver to exists: one HeadBucket per distinct bucket
// and account, whatever the number of VPCs. A bucket in another account usually answers 403: that is
// "unknown", not "missing".
func collectBuckets(ctx context.Context, targets []Target, regions []*inventory.Region, limit int) []inventory.Bucket {
	type key struct{ account, bucket string }
	arns := map[key]string{}
	for _, r := range regions {
		for _, f := range r.FlowLogs {
			if b := f.BucketName(); b != "" {
				arns[key{r.AccountID, b}] = "arn:" + r.Partition + ":s3:::" + b
			}
		}
	}
	if len(arns) == 0 {
		return nil
	}
	cfgs := map[string]aws.Config{}
	for _, t := range targets {
		cfgs[t.AccountID] = t.Config
	}
	var (
		mu  sync.Mutex
		out []inventory.Bucket
	)
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for k, arn := range arns {
		g.Go(func() error {
			b := inventory.Bucket{Name: k.bucket, ARN: arn, AccountID: k.account}
			b.State, b.Message = HeadBucket(ctx, cfgs[k.account], k.bucket)
			mu.Lock()
			out = append(out, b)
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	sort.Slice(out, func(i, j int) bool {
		if out[i].AccountID != out[j].AccountID {
			return out[i].AccountID < out[j].AccountID
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// HeadBucket tells whether bucket exists, as scan sees it: one HeadBucket call; the state is
// inventory.BucketExists, BucketMissing (404) or BucketUnknown (403, another error), with a message unless it
// exists. fix checks its destination buckets with it.
func HeadBucket(ctx context.Context, cfg aws.Config, bucket string) (state, msg string) {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsconf.UsesCustomEndpoint(cfg) })
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	return bucketState(err)
}

func bucketState(err error) (state, msg string) {
	if err == nil {
		return inventory.BucketExists, ""
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return inventory.BucketMissing, "HeadBucket: 404 Not Found"
		case http.StatusMovedPermanently:
			return inventory.BucketExists, "" // exists in another region
		case http.StatusForbidden:
			return inventory.BucketUnknown, "HeadBucket: 403 Forbidden (a bucket of another account, or no s3:ListBucket)"
		}
	}
	return inventory.BucketUnknown, "HeadBucket: " + err.Error()
}
