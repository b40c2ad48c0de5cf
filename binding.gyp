{
  "targets": [
    {
      "target_name": "sonde",
      "sources": [
        "probes/native/addon.cc",
        "probes/native/probe-sites.cc",
        "probes/native/fire-args.cc",
        "probes/native/compat-layouts.cc",
        "probes/native/gc-hook.cc",
        "probes/native/alloc-sampler.cc",
        "probes/native/cost-clock.cc"
      ],
      "cflags": ["-fno-omit-frame-pointer", "-O2"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-O2"]
    },
    {
      "target_name": "sonde_dyn",
      "sources": ["probes/native/dyn-loader.cc"],
      "defines": ["SONDE_DYN_STANDALONE"],
      "cflags": ["-fno-omit-frame-pointer", "-O2"],
      "cflags_cc": ["-fno-omit-frame-pointer", "-O2"]
    }
  ]
}
