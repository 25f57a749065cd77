// The PyNN cell types' parameter structs and their conversion to the
// cores' fixed-point blocks, for code that builds images by hand (tests,
// the self-test networks). Each type lives in its descriptor file under
// cells/; this header only gathers them.
#pragma once

#include "cells/if_cond_exp.h"
#include "cells/if_cond_exp_adaptive.h"
#include "cells/if_curr_exp.h"
#include "cells/if_curr_exp_adaptive.h"
#include "cells/if_nonleaky.h"
#include "cells/izhikevich.h"
#include "cells/neuron_block.h"
#include "cells/spike_sources.h"
