// An empty preload: what `-r <file>` costs by itself (the always-on bench's start-up baseline).
