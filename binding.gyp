{
  "targets": [
    {
      "target_name": "sonde",
      "sources": ["probes/native/addon.cc"],
      "cflags": ["-fno-omit-frame-pointer"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-std=c++17"]
    }
  ]
}
