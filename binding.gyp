{
  "targets": [
    {
      "target_name": "sonde",
      "sources": ["probes/native/addon.cc"],
      "cflags": ["-fno-omit-frame-pointer"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-std=c++17"]
    },
    {
      "target_name": "sonde_dyn",
      "sources": ["probes/native/dyn-loader.cc"],
      "defines": ["SONDE_DYN_STANDALONE"],
      "cflags": ["-fno-omit-frame-pointer", "-O2"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-std=gnu++17", "-O2"]
    }
  ]
}
