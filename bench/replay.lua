-- Replays pre-generated requests, each used once, one per line of a file:
--   METHOD <tab> PATH <tab> HEADERS <tab> BODY
-- HEADERS is "Name: value" pairs joined by the unit separator (\31); BODY may be empty.
-- usage: wrk -t T -c C -d 10s -s replay.lua <base-url> -- <file> <T>
-- Lines are dealt round-robin to wrk's threads. A thread that runs out wraps
-- around, and the RESULT line counts that in "wrapped" (replays are refused,
-- so raise the number of pre-generated requests).
local threads = {}
local nthreads = 0

function setup(thread)
  thread:set("id", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

local function split(text, separator)
  local parts = {}
  local start = 1
  while true do
    local at = text:find(separator, start, true)
    if not at then
      parts[#parts + 1] = text:sub(start)
      return parts
    end
    parts[#parts + 1] = text:sub(start, at - 1)
    start = at + 1
  end
end

function init(args)
  local total = tonumber(args[2]) or 1
  reqs = {}
  local i = 0
  for line in io.lines(args[1]) do
    if line ~= "" and i % total == id then
      local fields = split(line, "\t")
      local headers = {}
      if fields[3] ~= nil and fields[3] ~= "" then
        for _, pair in ipairs(split(fields[3], "\31")) do
          local colon = pair:find(":", 1, true)
          headers[pair:sub(1, colon - 1)] = pair:sub(colon + 2)
        end
      end
      local body = fields[4]
      if body == "" then body = nil end
      reqs[#reqs + 1] = wrk.format(fields[1], fields[2], headers, body)
    end
    i = i + 1
  end
  if #reqs == 0 then error("no requests loaded from " .. tostring(args[1])) end
  idx = 0
  wrapped = 0
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, t in ipairs(threads) do
    wrapped_total = wrapped_total + (tonumber(t:get("wrapped")) or 0)
  end
  local e = summary.errors
  local dur = summary.duration / 1e6
  local ok = summary.requests - e.status
  io.write(string.format(
    'RESULT {"requests":%d,"ok":%d,"non2xx":%d,"socket_errors":%d,"duration_s":%.3f,' ..
    '"rps_ok":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"wrapped":%d}\n',
    summary.requests, ok, e.status, e.connect + e.read + e.write + e.timeout, dur, ok / dur,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, wrapped_total))
end
