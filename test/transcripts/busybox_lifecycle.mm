# The same lifecycle on a busybox root ($images is set in the daemon's environment)
vm config filesystem $images/busybox
vm config memory 128
vm launch container bb[0-1]
.columns name,state,memory,init,type,vcpus vm info
vm start bb0
vm start bb0
vm stop bb1
vm start all
.columns name,state vm info
vm stop all
.columns name,state vm info
vm kill bb1
vm kill bb1
vm flush bb0
.columns name,state vm info
vm start bb1
.columns name,state vm info
vm kill all
vm flush
vm info
