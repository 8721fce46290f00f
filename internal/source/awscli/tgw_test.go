package awscli

import (
	"testing"

	"github.com/flowguard/flowguard/internal/inventory"
)

const (
	tgwsJSON = `{"TransitGateways": [{"TransitGatewayId": "tgw-1", "TransitGatewayArn": "arn:aws:ec2:eu-west-1:111111111111:transit-gateway/tgw-1",
  "OwnerId": "111111111111", "State": "available", "Tags": [{"Key": "Name", "Value": "hub"}]}]}`
	tgwAttsJSON = `{"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1",
  "TransitGatewayOwnerId": "111111111111", "ResourceOwnerId": "222222222222", "ResourceType": "vpc", "ResourceId": "vpc-9", "State": "available"}]}`
)

func TestTransitGatewayFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"111111111111/eu-west-1/vpcs.json": vpcsJSON, "111111111111/eu-west-1/tgws.json": tgwsJSON,
		"111111111111/eu-west-1/tgw-attachments.json": tgwAttsJSON})
	s, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Regions[0]
	if len(r.TransitGateways) != 1 || r.TransitGateways[0].Name() != "hub" || len(r.TransitGatewayAttachments) != 1 ||
		r.TransitGatewayAttachments[0].ResourceOwnerID != "222222222222" {
		t.Errorf("region: %+v", r)
	}
	if !r.Read(inventory.CollTransitGatewayAttachments) || !r.Read(inventory.CollTransitGateways) {
		t.Errorf("errors: %+v", r.Errors)
	}

	// Transit Gateways without their attachments: the attachments were not read.
	dir = writeFiles(t, map[string]string{"111111111111/eu-west-1/vpcs.json": vpcsJSON, "111111111111/eu-west-1/tgws.json": tgwsJSON})
	if s, err = Load(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if e, ok := s.Regions[0].ErrorFor(inventory.CollTransitGatewayAttachments); !ok || e.Code != "NotProvided" {
		t.Errorf("attachments without a file: %+v", s.Regions[0].Errors)
	}

	// Neither: no Transit Gateway, nothing reported missing (the files are optional).
	dir = writeFiles(t, map[string]string{"111111111111/eu-west-1/vpcs.json": vpcsJSON})
	if s, err = Load(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if !s.Regions[0].Read(inventory.CollTransitGatewayAttachments) || len(s.Regions[0].TransitGateways) != 0 {
		t.Errorf("no Transit Gateway files: %+v", s.Regions[0].Errors)
	}

	dir = writeFiles(t, map[string]string{"111111111111/eu-west-1/tgws.json": `{"TransitGateways": [{"State": "available"}]}`})
	if _, err = Load(dir, Options{}); err == nil {
		t.Error("a Transit Gateway without id was accepted")
	}
}
