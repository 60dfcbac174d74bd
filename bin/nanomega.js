#!/usr/bin/env node
import '../dist/engine/client/main.js';
