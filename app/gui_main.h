#pragma once
// The GUI entry point, implemented in gui_main.cpp by the GUI build (ui/ present).
// main() calls it for every launch that is not a plain headless run: the desktop app,
// and headless figure export (--export / --frames), which needs Qt's rendering.

#include "app/command_line.h"

namespace gradflow::app {

int runGui(int argc, char** argv, const CommandLineOptions& options);

}  // namespace gradflow::app
