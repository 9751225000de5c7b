// trigo stand-in for Xilinx's <ap_fixed.h>: ap_fixed<W,I,Q,O,N> and
// ap_ufixed<W,I,Q,O,N> (and, like the real header, ap_int / ap_uint). See
// ap_common.h for what is modelled and how it is tested.
#ifndef TRIGO_AP_FIXED_H
#define TRIGO_AP_FIXED_H
#include "ap_common.h"
#endif
