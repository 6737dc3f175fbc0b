/* ui.c - terminal interview screens (being written) */
