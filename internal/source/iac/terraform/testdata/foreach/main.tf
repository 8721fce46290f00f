locals {
  vpcs = {
    prod    = "10.0.0.0/16"
    staging = "10.1.0.0/16"
  }
}

resource "aws_vpc" "this" {
  for_each   = local.vpcs
  cidr_block = each.value
  tags       = { Name = each.key }
}

resource "aws_flow_log" "this" {
  for_each     = { for k, v in aws_vpc.this : k => v if k == "prod" }
  vpc_id       = each.value.id
  traffic_type = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::central-flow-logs"
}
