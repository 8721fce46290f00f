CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`vpc_flow_logs` (
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
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION 's3://my-flow-logs/vpc/AWSLogs/'
TBLPROPERTIES (
  "skip.header.line.count" = "1",
  "projection.enabled" = "true",
  "projection.p_account.type" = "enum",
  "projection.p_account.values" = "111122223333,444455556666",
  "projection.p_region.type" = "enum",
  "projection.p_region.values" = "us-east-1",
  "projection.dt.type" = "date",
  "projection.dt.format" = "yyyy/MM/dd/HH",
  "projection.dt.range" = "2025/06/01/00,NOW",
  "projection.dt.interval" = "1",
  "projection.dt.interval.unit" = "HOURS",
  "storage.location.template" = "s3://my-flow-logs/vpc/AWSLogs/${p_account}/vpcflowlogs/${p_region}/${dt}/"
)
