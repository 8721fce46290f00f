variable "vpc_id" {}
variable "days" {
  type = number
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "flow"
  retention_in_days = var.days
}

resource "aws_flow_log" "ext" {
  vpc_id          = var.vpc_id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
}

module "flowlogs" {
  source = "git::https://example.com/flowlogs.git"
  vpc_id = aws_vpc.main.id
}
