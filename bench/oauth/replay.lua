-- Adapted from the oidc-provider peer benchmark's token.lua (same RESULT line);
-- the optional 4th argument "GET" replays bodiless GETs (for /healthz).
-- wrk script: replays pre-generated, distinct POST requests (one line per
-- request in a file: "<form body>\t<DPoP proof>"), each line used once.
-- usage: wrk -t T -c C -d 10s -s token.lua <url> -- <file> <T> [path]
--   (T must repeat wrk's -t so the lines can be split across threads)
-- Lines are split round-robin across wrk threads. If a thread runs out of
-- lines it wraps around (replays -> the provider will reject them), and the
-- "wrapped" counter in the RESULT line says so.
local threads = {}
local nthreads = 0

function setup(thread)
  thread:set("id", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  local total = tonumber(args[2]) or 1
  local path = (args[3] ~= nil and args[3] ~= "") and args[3] or wrk.path
  local method = args[4] or "POST"
  reqs = {}
  local i = 0
  for line in io.lines(file) do
    if line ~= "" and i % total == id then
      local tab = line:find("\t", 1, true)
      local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
      local body = line
      if tab then
        body = line:sub(1, tab - 1)
        headers["DPoP"] = line:sub(tab + 1)
      end
      if method == "GET" then
        reqs[#reqs + 1] = wrk.format("GET", path)
      else
        reqs[#reqs + 1] = wrk.format("POST", path, headers, body)
      end
    end
    i = i + 1
  end
  if #reqs == 0 then error("no requests loaded from " .. tostring(file)) end
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
  local non2xx = e.status
  local sock = e.connect + e.read + e.write + e.timeout
  local dur = summary.duration / 1e6
  local ok = summary.requests - non2xx
  io.write(string.format(
    'RESULT {"requests":%d,"ok":%d,"non2xx":%d,"socket_errors":%d,"duration_s":%.3f,' ..
    '"rps_ok":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"wrapped":%d}\n',
    summary.requests, ok, non2xx, sock, dur, ok / dur,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, wrapped_total))
end
