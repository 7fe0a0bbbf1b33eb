// Element type of blob and weight buffers. Every op shader is compiled twice from one source: fp32
// storage, and with -DFP16_STORAGE=1 fp16 storage (the _fp16 variant, for devices with
// storageBuffer16BitAccess). Only storage is 16-bit: values are converted to fp32 on load (`float(x)`,
// `vec4(x)`), all arithmetic and accumulation is fp32, and results are rounded once on store (`sfloat(x)`).
// Include it first: it may enable an extension.
#if FP16_STORAGE
#extension GL_EXT_shader_16bit_storage : require
#define sfloat float16_t
#define svec4 f16vec4
#else
#define sfloat float
#define svec4 vec4
#endif
