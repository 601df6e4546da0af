"""Four-lane exponentials for the kernel, from glibc's vector math library (libmvec).

Why: the kernel (:mod:`jeugdstelsel.core.simulate`) computes every draw's arithmetic as SIMD
lanes, but the compiler can only call the scalar ``expm1`` of the C library, one lane at a time;
those calls were about a third of the kernel's time. glibc (2.35 and later) ships vector
versions with the x86-64 vector function ABI (``_ZGVdN4v_expm1``: four doubles in one AVX2
register, at most 4 ulp from the exact value; measured here 2 ulp from the scalar one). Numba
cannot name a vector type, so a small intrinsic loads four lanes, calls the library and stores
them.

Used only where it is safe: glibc's libmvec with the symbol, a CPU with AVX2 and Numba
compiling for the host CPU (a generic target would pass the vector differently). Elsewhere
:data:`AVAILABLE` is false and the kernel calls the scalar function per lane; results then
differ from the vector path in the last bits, so one machine (and every worker of a sweep on
it) always takes the same path.
"""

from __future__ import annotations

import ctypes
import ctypes.util

from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic

WIDTH = 4  # doubles per AVX2 register
_EXPM1 = "_ZGVdN4v_expm1"
_EXP = "_ZGVdN4v_exp"


def _available() -> bool:
    """libmvec with a 4-lane AVX2 expm1, an AVX2 host and Numba targeting the host."""
    import llvmlite.binding as llvm

    if config.CPU_NAME not in (None, "host"):
        return False
    if "+avx2" not in llvm.get_host_cpu_features().flatten():
        return False
    name = ctypes.util.find_library("mvec") or "libmvec.so.1"
    try:
        library = ctypes.CDLL(name)
        getattr(library, _EXPM1)
        getattr(library, _EXP)
        llvm.load_library_permanently(name)  # makes the symbol visible to compiled code
    except (OSError, AttributeError, RuntimeError):
        return False
    return True


AVAILABLE = _available()


def _unary(symbol: str, negate: bool):
    """An intrinsic ``f(array, source, target)`` that maps four lanes through ``symbol``."""

    @intrinsic
    def apply4(typingctx, array, source, target):
        sig = types.void(array, source, target)

        def codegen(context, builder, signature, args):
            ary, src, dst = args
            data = context.make_array(signature.args[0])(context, builder, ary).data
            vector = ir.VectorType(ir.DoubleType(), WIDTH)
            src_ptr = builder.bitcast(builder.gep(data, [src]), vector.as_pointer())
            dst_ptr = builder.bitcast(builder.gep(data, [dst]), vector.as_pointer())
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(vector, [vector]), symbol)
            value = builder.load(src_ptr, align=8)
            if negate:
                value = builder.fneg(builder.call(function, [builder.fneg(value)]))
            else:
                value = builder.call(function, [value])
            builder.store(value, dst_ptr, align=8)
            return context.get_dummy_value()

        return sig, codegen

    return apply4


# ``array[target + k] = f(array[source + k])`` for k = 0..3; offsets are unsigned element
# offsets (see the kernel's ``_r``).
leave4 = _unary(_EXPM1, negate=True)  # 1 - exp(-x), as flows.leave
exp4 = _unary(_EXP, negate=False)
