// Package enrich joins flow-log records to the inventory: interface id and address → the resource that owns
// them (instance, load balancer, NAT gateway, Lambda function, …), the reason a REJECTed record was rejected
// (a network ACL rule, no security-group allow, the record's own reject-reason), and whether an ACCEPTed
// record is internet traffic to a sensitive port, with the security-group rule that let it in.
//
// An Index is built once from a snapshot and then only read: a record's addresses are probes of a flat table
// (IPv4) and its interface id a map lookup made once per interface per worker, with no allocation (fast.go). The rule
// evaluations of attribution and exposure walk the few rules of one ACL and of the interface's security
// groups; a worker's Attributor memoises their answers by what decides them, so most records skip the walk.
package enrich

import (
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Resource kinds an interface can belong to.
const (
	KindInstance      = "instance"
	KindLoadBalancer  = "load-balancer"
	KindNATGateway    = "nat-gateway"
	KindLambda        = "lambda"
	KindECSTask       = "ecs-task"
	KindVPCEndpoint   = "vpc-endpoint"
	KindGWLBEndpoint  = "gwlb-endpoint"
	KindTGWAttachment = "tgw-attachment"
	KindEFS           = "efs"
	KindRDS           = "rds"
	KindElastiCache   = "elasticache"
	KindEKS           = "eks"
	KindInterface     = "interface"
)

// Owner is what an interface belongs to, as its type, description, requester and attachment tell.
type Owner struct {
	Kind string // one of the Kind constants, or the interface type AWS gave (api_gateway_managed, …)
	ID   string // the owner's id (i-…, nat-…, app/name/hash, the function name, …); the interface id when unknown
}

// Classify says what owns an interface. The rules, first match wins (descriptions are the ones AWS writes
// when a service creates the interface):
//
//	type nat_gateway, or "Interface for NAT Gateway nat-…"            → nat-gateway nat-…
//	"ELB app/NAME/ID", "ELB net/NAME/ID", "ELB gwy/NAME/ID", "ELB NAME" → load-balancer app/NAME/ID (classic: NAME)
//	type lambda, or "AWS Lambda VPC ENI-FUNCTION-UUID"                  → lambda FUNCTION
//	"arn:aws:ecs:…:attachment/UUID" (awsvpc task interface)             → ecs-task attachment/UUID
//	type vpc_endpoint, or "VPC Endpoint Interface vpce-…"               → vpc-endpoint vpce-…
//	type gateway_load_balancer_endpoint                                 → gwlb-endpoint vpce-… (from the description)
//	type transit_gateway, or "… Transit Gateway Attachment tgw-attach-…" → tgw-attachment tgw-attach-…
//	"EFS mount target for fs-… (fsmt-…)"                                 → efs fs-…
//	"RDSNetworkInterface", requester amazon-rds                          → rds (the interface id: RDS does not name the instance)
//	"ElastiCache NAME"                                                   → elasticache NAME
//	"Amazon EKS CLUSTER"                                                 → eks CLUSTER
//	an attachment with an instance id                                    → instance i-…
//	any other interface type than interface/efa/trunk/branch             → that type, the interface id
//	else                                                                 → interface eni-…
func Classify(n *inventory.NetworkInterface) Owner {
	d := strings.TrimSpace(n.Description)
	word := func(s string) string {
		if i := strings.IndexAny(s, " ()"); i >= 0 {
			return s[:i]
		}
		return s
	}
	after := func(marker string) string {
		if i := strings.Index(d, marker); i >= 0 {
			return word(d[i+len(marker):])
		}
		return ""
	}
	switch {
	case n.Type == "nat_gateway" || strings.HasPrefix(d, "Interface for NAT Gateway "):
		return Owner{KindNATGateway, or(after("NAT Gateway "), n.ID)}
	case strings.HasPrefix(d, "ELB "):
		return Owner{KindLoadBalancer, or(word(d[4:]), n.ID)}
	case n.Type == "network_load_balancer":
		return Owner{KindLoadBalancer, n.ID}
	case n.Type == "lambda" || strings.HasPrefix(d, "AWS Lambda VPC ENI-"):
		return Owner{KindLambda, or(lambdaFunction(strings.TrimPrefix(d, "AWS Lambda VPC ENI-")), n.ID)}
	case strings.HasPrefix(d, "arn:aws") && strings.Contains(d, ":ecs:") && strings.Contains(d, ":attachment/"):
		return Owner{KindECSTask, d[strings.Index(d, ":attachment/")+1:]}
	case n.Type == "gateway_load_balancer_endpoint":
		return Owner{KindGWLBEndpoint, or(after("vpce-"), "")}.withPrefix("vpce-", n.ID)
	case n.Type == "vpc_endpoint" || strings.HasPrefix(d, "VPC Endpoint Interface "):
		return Owner{KindVPCEndpoint, or(after("vpce-"), "")}.withPrefix("vpce-", n.ID)
	case n.Type == "transit_gateway" || strings.Contains(d, "Transit Gateway Attachment "):
		return Owner{KindTGWAttachment, or(after("tgw-attach-"), "")}.withPrefix("tgw-attach-", n.ID)
	case strings.HasPrefix(d, "EFS mount target for "):
		return Owner{KindEFS, or(word(d[len("EFS mount target for "):]), n.ID)}
	case d == "RDSNetworkInterface" || n.RequesterID == "amazon-rds":
		return Owner{KindRDS, n.ID}
	case strings.HasPrefix(d, "ElastiCache "):
		return Owner{KindElastiCache, or(word(d[len("ElastiCache "):]), n.ID)}
	case strings.HasPrefix(d, "Amazon EKS "):
		return Owner{KindEKS, or(word(d[len("Amazon EKS "):]), n.ID)}
	case n.Attachment != nil && n.Attachment.InstanceID != "":
		return Owner{KindInstance, n.Attachment.InstanceID}
	case n.Type != "" && n.Type != "interface" && n.Type != "efa" && n.Type != "trunk" && n.Type != "branch":
		return Owner{n.Type, n.ID}
	}
	return Owner{KindInterface, n.ID}
}

// withPrefix puts back the id prefix the "after" match consumed; the interface id when nothing matched.
func (o Owner) withPrefix(p, fallback string) Owner {
	if o.ID == "" {
		o.ID = fallback
	} else {
		o.ID = p + o.ID
	}
	return o
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// lambdaFunction strips the "-UUID" AWS appends to the function name in a Lambda interface description.
func lambdaFunction(s string) string {
	const uuidLen = 36
	if len(s) > uuidLen+1 && s[len(s)-uuidLen-1] == '-' && isUUID(s[len(s)-uuidLen:]) {
		return s[:len(s)-uuidLen-1]
	}
	return s
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
