"""The item engine: launching items into their flow (one Step Functions execution each), and the consensus
step each execution calls after its annotators answered (bytebridge.engine.advance)."""
