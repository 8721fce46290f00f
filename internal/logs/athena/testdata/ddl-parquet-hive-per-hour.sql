CREATE EXTERNAL TABLE IF NOT EXISTS `security`.`flows` (
  `version` int,
  `account_id` string,
  `interface_id` string,
  `srcaddr` string,
  `dstaddr` string,
  `srcport` int,
  `dstport` int,
  `protocol` int,
  `packets` bigint,
  `bytes` bigint,
  `start` bigint,
  `end` bigint,
  `action` string,
  `log_status` string,
  `vpc_id` string,
  `subnet_id` string,
  `instance_id` string,
  `tcp_flags` int,
  `type` string,
  `pkt_srcaddr` string,
  `pkt_dstaddr` string,
  `region` string,
  `az_id` string,
  `sublocation_type` string,
  `sublocation_id` string,
  `pkt_src_aws_service` string,
  `pkt_dst_aws_service` string,
  `flow_direction` string,
  `traffic_path` int
)
PARTITIONED BY (`p_account` string, `p_region` string, `dt` string)
STORED AS PARQUET
LOCATION 's3://my-flow-logs/AWSLogs/'
TBLPROPERTIES (
  "projection.enabled" = "true",
  "projection.p_account.type" = "enum",
  "projection.p_account.values" = "111122223333",
  "projection.p_region.type" = "enum",
  "projection.p_region.values" = "us-east-1",
  "projection.dt.type" = "date",
  "projection.dt.format" = "'year='yyyy'/month='MM'/day='dd'/hour='HH",
  "projection.dt.range" = "year=2025/month=06/day=01/hour=00,NOW",
  "projection.dt.interval" = "1",
  "projection.dt.interval.unit" = "HOURS",
  "storage.location.template" = "s3://my-flow-logs/AWSLogs/aws-account-id=${p_account}/aws-service=vpcflowlogs/aws-region=${p_region}/${dt}/"
)
