// Build-time helper: writes gradflow.1 (app/man_page.cpp) to the path given, so the
// installed manual comes from the parser's own option table.

#include <fstream>
#include <iostream>

#include "app/man_page.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: write_man_page OUTPUT.1\n";
        return 2;
    }
    std::ofstream out(argv[1], std::ios::binary);
    out << gradflow::app::manPage(GRADFLOW_VERSION);
    out.close();
    if (!out) {
        std::cerr << "write_man_page: cannot write " << argv[1] << "\n";
        return 1;
    }
    return 0;
}
