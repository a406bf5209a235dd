-- wrk script: POST tools/call with a unique JSON-RPC id per request.
-- Env: BENCH_TOOL, BENCH_SESSIONS (space-separated session ids, used round
-- robin across requests), BENCH_KEY (API key, optional).
local tool = os.getenv("BENCH_TOOL") or "trivial"
local sessions = {}
for s in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "%S+") do sessions[#sessions + 1] = s end
local key = os.getenv("BENCH_KEY")
local counter = 0
local tid = 0

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end

function request()
  counter = counter + 1
  local sid = sessions[((counter + (tid or 0) * 7919) % #sessions) + 1]
  local h = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["Mcp-Session-Id"] = sid,
    ["MCP-Protocol-Version"] = "2025-11-25",
  }
  if key and key ~= "" then h["Authorization"] = "Bearer " .. key end
  local body = string.format('{"jsonrpc":"2.0","id":"%d-%d","method":"tools/call","params":{"name":"%s","arguments":{}}}',
    tid or 0, counter, tool)
  return wrk.format("POST", "/mcp", h, body)
end
