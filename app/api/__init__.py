"""REST: routers parse input, call one service method and render the result."""
