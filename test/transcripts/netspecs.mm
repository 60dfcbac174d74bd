# minimega's netspecs: fields told apart by shape, VLANs 0-4095, the getter without default bridge or driver
vm config networks
vm config net 100
vm config net
vm config networks 100,e1000
vm config networks
vm config net 100,LAN
vm config net
vm config net 0 4095 br1,100,02:00:00:00:00:01,virtio-net-pci,qinq
vm config net
vm config net 7,02-AA-bb-00-00-01 mega_bridge,8,rtl8139
vm config net
vm config net 100,10.0.0.5/24 br2,200,02:00:00:00:00:02,fd00::5/64
vm config net
vm config net 4096
vm config net 1,zz:zz:zz:zz:zz:zz
vm config net a,b,c
vm config net 1,10.0.0.300/24
vm config net
# a multicast MAC is configuration as in minimega (KVM scripts use them); no container NIC can take it
vm config net 1,13:37:13:37:00:01
vm config net
vm launch container mcast
.columns name,state vm info
clear vm config net
vm config net
