package awscli

import (
	"encoding/json"
	"fmt"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Transit Gateways from `aws ec2 describe-transit-gateways` and `describe-transit-gateway-attachments`.
// Both are optional (a folder without them has no Transit Gateway, as an old snapshot); but Transit Gateways
// given without their attachments cannot be judged (attachments may carry the flow logs), so the attachments
// are then "not provided" and tgw-flow-logs-enabled says ERROR for the region, never FAIL or PASS.

type cliTGWs struct {
	TransitGateways []struct {
		TransitGatewayId  string
		TransitGatewayArn string
		OwnerId           string
		State             string
		Description       string
		Tags              []cliTag
	}
}

type cliTGWAttachments struct {
	TransitGatewayAttachments []struct {
		TransitGatewayAttachmentId string
		TransitGatewayId           string
		TransitGatewayOwnerId      string
		ResourceType               string
		ResourceId                 string
		ResourceOwnerId            string
		State                      string
		Tags                       []cliTag
	}
}

func decodeTGW(r *inventory.Region, k kind, data []byte) error {
	if k == kindTGWs {
		var out cliTGWs
		if err := json.Unmarshal(data, &out); err != nil {
			return err
		}
		for _, t := range out.TransitGateways {
			if t.TransitGatewayId == "" {
				return fmt.Errorf("a Transit Gateway without TransitGatewayId")
			}
			r.TransitGateways = append(r.TransitGateways, inventory.TransitGateway{ID: t.TransitGatewayId, ARN: t.TransitGatewayArn,
				OwnerID: t.OwnerId, State: t.State, Description: t.Description, Tags: tags(t.Tags)})
		}
		return nil
	}
	var out cliTGWAttachments
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	for _, a := range out.TransitGatewayAttachments {
		if a.TransitGatewayAttachmentId == "" || a.TransitGatewayId == "" {
			return fmt.Errorf("a Transit Gateway attachment without TransitGatewayAttachmentId or TransitGatewayId")
		}
		r.TransitGatewayAttachments = append(r.TransitGatewayAttachments, inventory.TransitGatewayAttachment{
			ID: a.TransitGatewayAttachmentId, TransitGatewayID: a.TransitGatewayId, TransitGatewayOwnerID: a.TransitGatewayOwnerId,
			ResourceType: a.ResourceType, ResourceID: a.ResourceId, ResourceOwnerID: a.ResourceOwnerId, State: a.State, Tags: tags(a.Tags)})
	}
	return nil
}

// tgwNotProvided records the attachments as not read when the Transit Gateways were given without them.
func tgwNotProvided(r *inventory.Region, account, region string, read map[kind]bool) {
	if !read[kindTGWs] || read[kindTGWAttachments] {
		return
	}
	spec := kinds[kindTGWAttachments]
	r.Errors = append(r.Errors, inventory.ReadError{AccountID: account, Region: region, Collection: spec.coll,
		Operation: spec.operation, Code: "NotProvided",
		Message: fmt.Sprintf("no `%s` output for %s/%s in the aws-cli directory (the Transit Gateways were given)", spec.command, account, region)})
}
