{
  "targets": [
    {
      "target_name": "napi_glibc",
      "sources": ["napi_glibc.c"],
      "cflags": ["-O2"]
    }
  ]
}
