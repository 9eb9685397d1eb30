-- wrk script for deploy/bench: one request shape per run, spread over many users' tokens.
--
-- Environment (read once per thread):
--   BENCH_TOKENS  file with one "user token" pair per line (the users the bench seeded)
--   BENCH_MODE    plain (wrk's own path) | status | c-status | c-installed | c-available | fastapi-status | installed | available | cycle
--                 | bundle-token | bundle-signed
--   BENCH_SLUG    plugin slug for status, fastapi-status, cycle and bundle-token
--   BENCH_URLS    bundle-signed: file with one signed bundle URL path per line (no token is sent)
-- fastapi-status: GET status of the FastAPI reference (deploy/lib/bench/fastapi_status.py).
-- cycle: each thread owns a disjoint slice of users and sends install for all of them, then
-- uninstall for all of them, and so on; a user's two requests are a whole slice apart, so with
-- one request in flight per connection they never overlap.
local tokens = {}
local urls = {}
local mode, slug
-- Globals, not locals: setup() and done() reach them through thread:set / thread:get.
thread_index = 0
statuses = {}
local thread_count = 1
local counter = 0

local threads = {}
local created = 0
function setup(thread)
    thread:set("thread_index", created)
    created = created + 1
    table.insert(threads, thread)
end

function init(args)
    mode = os.getenv("BENCH_MODE") or "status"
    slug = os.getenv("BENCH_SLUG") or "braindrive-network"
    thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
    local all = {}
    for line in io.lines(os.getenv("BENCH_TOKENS")) do
        local user, token = line:match("^(%S+)%s+(%S+)$")
        if user then table.insert(all, token) end
    end
    if mode == "bundle-signed" then
        for line in io.lines(os.getenv("BENCH_URLS")) do
            if line ~= "" then table.insert(urls, line) end
        end
    end
    -- cycle: a disjoint slice per thread, so two threads never race on one user.
    for i, token in ipairs(all) do
        if mode ~= "cycle" or (i - 1) % thread_count == thread_index then
            table.insert(tokens, token)
        end
    end
end

function request()
    counter = counter + 1
    local n = #tokens
    local i = (counter - 1) % n + 1
    local headers = { ["Authorization"] = "Bearer " .. tokens[i] }
    if mode == "plain" then
        -- The references: the same header bytes for nginx to parse, the path given to wrk.
        return wrk.format("GET", wrk.path, headers)
    elseif mode == "status" then
        return wrk.format("GET", "/api/plugins/" .. slug .. "/status", headers)
    elseif mode == "c-status" then
        return wrk.format("GET", "/bench/c-status/" .. slug .. "/status", headers)
    elseif mode == "c-installed" or mode == "c-available" then
        return wrk.format("GET", "/bench/c-status/" .. mode:sub(3), headers)
    elseif mode == "fastapi-status" then
        return wrk.format("GET", "/bench/fastapi/" .. slug .. "/status", headers)
    elseif mode == "installed" then
        return wrk.format("GET", "/api/plugins/installed", headers)
    elseif mode == "available" then
        return wrk.format("GET", "/api/plugins/available", headers)
    elseif mode == "bundle-token" then
        return wrk.format("GET", "/api/plugins/" .. slug .. "/files/dist/remoteEntry.js", headers)
    elseif mode == "bundle-signed" then
        -- What a <script> tag sends: the signed URL and no Authorization header.
        return wrk.format("GET", urls[(counter - 1) % #urls + 1], {})
    else
        local round = math.floor((counter - 1) / n)
        if round % 2 == 0 then
            return wrk.format("POST", "/api/plugins/" .. slug .. "/install", headers)
        end
        return wrk.format("DELETE", "/api/plugins/" .. slug .. "/uninstall", headers)
    end
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

-- "STATUS code count" lines, summed over threads, for deploy/bench to parse.
function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local counts = thread:get("statuses")
        for code, count in pairs(counts) do
            total[code] = (total[code] or 0) + count
        end
    end
    for code, count in pairs(total) do
        io.write(string.format("STATUS %d %d\n", code, count))
    end
end
