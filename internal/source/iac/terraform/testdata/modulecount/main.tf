resource "aws_vpc" "spoke" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
}

module "flow_logs" {
  source = "./modules/fl"
  count  = 2
  vpc_id = aws_vpc.spoke[count.index].id
}

data "aws_vpc" "shared" {
  id = "vpc-0123456789abcdef0"
}

resource "aws_flow_log" "shared" {
  vpc_id               = data.aws_vpc.shared.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::central"
}
