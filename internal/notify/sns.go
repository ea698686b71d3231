package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/seclake/seclake/schemas"
)

// SNS publishes each finding as one JSON message to a topic, in batches of
// ten (PublishBatch), with severity and account type as message attributes
// so subscriptions can filter.
type SNS struct {
	TargetName string
	TopicARN   string
	Client     *sns.Client
}

var _ Notifier = (*SNS)(nil)

// Name is the target's name.
func (s *SNS) Name() string { return s.TargetName }

// Notify publishes the findings.
func (s *SNS) Notify(ctx context.Context, findings []schemas.Finding) error {
	for start := 0; start < len(findings); start += 10 {
		batch := findings[start:min(start+10, len(findings))]
		var entries []types.PublishBatchRequestEntry
		for i, f := range batch {
			msg, err := json.Marshal(f)
			if err != nil {
				return err
			}
			subject := "[seclake " + f.SeverityLabel + "] " + f.Title
			if len(subject) > 100 {
				subject = subject[:97] + "..."
			}
			attrs := map[string]types.MessageAttributeValue{
				"severity":       {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(int(f.Severity)))},
				"severity_label": {DataType: aws.String("String"), StringValue: aws.String(f.SeverityLabel)},
				"detector":       {DataType: aws.String("String"), StringValue: aws.String(f.Detector)},
			}
			if f.AccountType != "" {
				attrs["account_type"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(f.AccountType)}
			}
			entries = append(entries, types.PublishBatchRequestEntry{
				Id:                aws.String(strconv.Itoa(i)),
				Message:           aws.String(string(msg)),
				Subject:           aws.String(asciiSubject(subject)),
				MessageAttributes: attrs,
			})
		}
		out, err := s.Client.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(s.TopicARN), PublishBatchRequestEntries: entries})
		if err != nil {
			return fmt.Errorf("notify: sns %s: %w", s.TargetName, err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("notify: sns %s: %d of %d messages failed (first: %s %s)", s.TargetName, len(out.Failed), len(entries),
				aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return nil
}

// asciiSubject keeps SNS subjects to printable ASCII (an SNS requirement).
func asciiSubject(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}
