# Launch names, ranges and the errors minimega gives for bad ones
vm launch container 0
vm launch container all
vm launch container 2
.columns state,type vm info
vm kill all
vm flush
vm launch container a,a
vm launch container bad/name
vm launch container foo[1-3
vm launch container foo1-3]
vm launch container foo[[1-2]]
vm launch container foo[3-1]
vm start nosuchvm
vm kill nosuchvm
vm config memory lots
vm config vcpus -1
vm config memory 0
vm config fifos 1000000
vm config memory
vm config vcpus
vm config init
vm config init /sbin/init --verbose
vm config init
clear vm config init
vm config init
vm config snapshot
vm config snapshot maybe
vm config volume /data /tmp
vm config volume
clear vm config
vm config volume
