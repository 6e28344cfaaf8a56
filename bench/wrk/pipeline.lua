-- wrk script: send N requests (GET /) back to back on each connection (HTTP/1.1 pipelining).
-- Usage: wrk -t1 -c50 -d5s -s bench/wrk/pipeline.lua http://127.0.0.1:PORT/ -- 16
-- wrk counts responses, so requests/s is per request; its latency is per batch of N.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", "/")
  end
  req = table.concat(r)
end

request = function()
  return req
end
