// trigo stand-in for Xilinx's <ap_int.h>: ap_int<W> and ap_uint<W>. See
// ap_common.h for what is modelled and how it is tested. Like the real
// header, including it also makes ap_fixed / ap_ufixed available.
#ifndef TRIGO_AP_INT_H
#define TRIGO_AP_INT_H
#include "ap_common.h"
#endif
