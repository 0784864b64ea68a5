"""The IVR's wording, language by language: snapshots of every prompt and the listed cases."""
