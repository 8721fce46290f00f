variable "cidrs" {
  default = ["10.0.0.0/16", "10.1.0.0/16"]
}

resource "aws_vpc" "x" {
  count      = length(var.cidrs)
  cidr_block = var.cidrs[count.index]
}

resource "aws_flow_log" "x" {
  count                = 2
  vpc_id               = aws_vpc.x[count.index].id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::central-flow-logs/vpc/"
}
