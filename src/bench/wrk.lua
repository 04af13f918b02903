-- wrk script for the kavach-ledger benchmark (src/bench/run): one request shape, repeated.
--   BENCH_KEY   API key (required)          BENCH_BODY  JSON body: POST it; unset: GET
-- Prints one line: RESULT req_per_s=… p50_ms=… p99_ms=… max_ms=… measured=… status=201:n,…
-- (status counts every response wrk saw; socket errors are reported as status 0).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_KEY"), "BENCH_KEY is not set")
  local body = os.getenv("BENCH_BODY")
  if body and body ~= "" then
    wrk.method = "POST"
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  if errors > 0 then
    total[0] = errors
  end
  local statuses = {}
  for status, _ in pairs(total) do
    table.insert(statuses, status)
  end
  table.sort(statuses)
  local parts = {}
  for _, status in ipairs(statuses) do
    table.insert(parts, status .. ":" .. total[status])
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT req_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f measured=%d seconds=%.1f status=%s\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, seconds, table.concat(parts, ",")))
end
