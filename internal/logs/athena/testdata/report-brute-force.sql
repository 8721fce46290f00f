SELECT srcaddr AS source, dstport AS port, protocol,
  from_unixtime(("start" / 3600) * 3600) AS window_start,
  count(*) AS rejects, count(DISTINCT dstaddr) AS distinct_hosts,
  from_unixtime(min("start")) AS first_seen, from_unixtime(max("start")) AS last_seen
FROM "default"."vpc_flow_logs"
WHERE p_account IN ('111122223333')
  AND p_region IN ('us-east-1')
  AND dt >= '2026/01/01'
  AND "start" >= 1767225600
  AND dt <= '2026/01/02'
  AND "start" < 1767312000
  AND interface_id IN ('eni-0abc''; --')
  AND (contains('10.0.0.0/16', try_cast(srcaddr AS IPADDRESS)) OR contains('10.0.0.0/16', try_cast(dstaddr AS IPADDRESS)))
  AND (srcport IN (22, 3389) OR dstport IN (22, 3389))
  AND protocol IN (6)
  AND action = 'REJECT'
  AND dstport IN (22, 3389)
  AND srcaddr <> '-'
GROUP BY srcaddr, dstport, protocol, "start" / 3600
HAVING count(*) >= 10
ORDER BY window_start, rejects DESC, source, port
