SELECT srcaddr AS source, dstaddr AS destination,
  from_unixtime(("start" / 1800) * 1800) AS window_start,
  count(DISTINCT dstport) AS distinct_ports, count(*) AS records,
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
  AND dstport IS NOT NULL
  AND srcaddr <> '-'
  AND dstaddr <> '-'
GROUP BY srcaddr, dstaddr, "start" / 1800
HAVING count(DISTINCT dstport) >= 20
ORDER BY window_start, distinct_ports DESC, source, destination
