{
  "targets": [
    {
      "target_name": "posix_spawn",
      "sources": ["src/worker/posix-spawn.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
