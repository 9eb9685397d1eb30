-- wrk script for deploy/lib/faults/restarts.sh: GETs a plugin status, available and health in turn with
-- the bearer token in $TOKEN, counts answers per status, and per status the ones whose body is
-- not problem+json (every 4xx/5xx must be). done() sums the threads and prints parseable lines:
--   STATUS <code> <count> <not_problem_json>
--   SOCKET connect|read|write|timeout <count>
--   REQUESTS <count>
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    counts = {}
    plain = {}
    local headers = { ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "") }
    requests = {
        wrk.format("GET", "/api/plugins/braindrive-network/status", headers),
        wrk.format("GET", "/api/plugins/available", headers),
        wrk.format("GET", "/api/plugins/health", headers),
    }
    turn = 0
end

function request()
    turn = turn % #requests + 1
    return requests[turn]
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
    if status >= 400 then
        local kind = headers["Content-Type"] or headers["content-type"] or ""
        if not kind:find("application/problem+json", 1, true) then
            plain[status] = (plain[status] or 0) + 1
        end
    end
end

function done(summary, latency, requests)
    local total, notProblem = {}, {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts")) do
            total[status] = (total[status] or 0) + n
        end
        for status, n in pairs(thread:get("plain")) do
            notProblem[status] = (notProblem[status] or 0) + n
        end
    end
    for status, n in pairs(total) do
        io.write(string.format("STATUS %d %d %d\n", status, n, notProblem[status] or 0))
    end
    for _, kind in ipairs({ "connect", "read", "write", "timeout" }) do
        io.write(string.format("SOCKET %s %d\n", kind, summary.errors[kind]))
    end
    io.write(string.format("REQUESTS %d\n", summary.requests))
end
