{
  "targets": [
    {
      "target_name": "sonde",
      "sources": [
        "native/addon.cc",
        "native/probe-sites.cc",
        "native/fire-args.cc",
        "native/compat-layouts.cc",
        "native/gc-hook.cc",
        "native/alloc-sampler.cc",
        "native/cost-clock.cc",
        "native/loop-delay.cc"
      ],
      "cflags": ["-fno-omit-frame-pointer", "-O2"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-O2"]
    },
    {
      "target_name": "sonde_dyn",
      "sources": ["native/dyn-loader.cc"],
      "defines": ["SONDE_DYN_STANDALONE"],
      "cflags": ["-fno-omit-frame-pointer", "-O2"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-O2"]
    }
  ]
}
