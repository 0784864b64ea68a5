"""The scale-out topology on one machine (docs/scale-out.md): what the tests, the benchmark and
``make run-scaled`` start. A development and test tool: production packages never import it."""
