-- wrk script: every request carries a header whose value no other request of the run has, so that no two
-- heads a server reads are alike (a server cannot take a head it has seen again). N requests are sent back
-- to back on each connection (pipelining; N = 1: one at a time).
-- Usage: wrk -t1 -c50 -d5s -s bench/wrk/vary.lua http://127.0.0.1:PORT/ -- N METHOD PATH NAME
--   NAME: the varying header; its value is a 16-digit hexadecimal counter (every head has the same length).
-- The head is built by concatenation per request (wrk.format once, for the fixed part), to keep wrk's cost low.
init = function(args)
  depth = tonumber(args[1]) or 1
  local method = args[2] or "GET"
  local path = args[3] or wrk.path
  local name = args[4] or "X-Request-Id"
  -- wrk.format ends the head with CRLF CRLF: cut the last CRLF and append the varying field line after it.
  local fixed = wrk.format(method, path, {})
  prefix = string.sub(fixed, 1, #fixed - 2) .. name .. ": "
  counter = 0
end

request = function()
  local r = {}
  for i = 1, depth do
    counter = counter + 1
    r[i] = prefix .. string.format("%016x", counter) .. "\r\n\r\n"
  end
  return table.concat(r)
end
