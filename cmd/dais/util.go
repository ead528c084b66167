package main

import "dais/internal/web"

func randomHex(n int) string { return web.RandomToken(n) }
