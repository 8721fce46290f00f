resource "aws_vpc" "a" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_default_vpc" "default" {}
