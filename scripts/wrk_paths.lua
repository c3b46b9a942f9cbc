-- wrk script for scripts/bench.py: GET paths read from the file named by KG_PATHS.
-- KG_ORDER=random picks any path each time (repeats: what a cache sees on a busy page);
-- KG_ORDER=sequential walks the file, each thread from its own share, so no path is asked twice
-- while the file lasts (every answer is computed, none comes from a cache).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("KG_PATHS")) do paths[#paths + 1] = line end
  sequential = os.getenv("KG_ORDER") == "sequential"
  local share = math.floor(#paths / math.max(tonumber(os.getenv("KG_THREADS") or "1"), 1))
  position = id * share
  math.randomseed(7 + id)
end

function request()
  local path
  if sequential then
    position = position % #paths + 1
    path = paths[position]
  else
    path = paths[math.random(#paths)]
  end
  return wrk.format("GET", path)
end
