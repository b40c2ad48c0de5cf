// placeholder until the sampler lands
#include "env-state.h"
void sonde_alloc_init(EnvState*, napi_value) {}
void sonde_alloc_teardown(EnvState*) {}
