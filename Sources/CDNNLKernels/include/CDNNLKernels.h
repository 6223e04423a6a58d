// The C kernels on oneDNN and libgomp the executor calls.
#include "ChannelsLastPrimitives.h"
#include "MatMulPrimitives.h"
#include "OpenMPTeam.h"
