-- wrk script: send N requests back to back on each connection (HTTP/1.1 pipelining; N = 1: one at a time).
-- Usage: wrk -t1 -c50 -d5s -s bench/wrk/pipeline.lua http://127.0.0.1:PORT/ -- 16 [METHOD PATH BODY [HEADER...]]
--   METHOD PATH BODY: the request (default GET, the URL's path, no body; "" for no body); each HEADER is
--   "Name: value". wrk.format adds Host, and Content-Length when there is a body.
-- wrk counts responses, so requests/s is per request; its latency is per batch of N.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local method = args[2] or "GET"
  local path = args[3] or wrk.path
  local body = args[4]
  if body == "" then body = nil end
  local headers = {}
  for i = 5, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(method, path, headers, body)
  end
  req = table.concat(r)
end

request = function()
  return req
end
