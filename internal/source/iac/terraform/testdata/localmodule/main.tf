module "net" {
  source = "./modules/net"
  cidr   = "10.9.0.0/16"
}

resource "aws_flow_log" "net" {
  vpc_id               = module.net.vpc_id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::logs"
}
