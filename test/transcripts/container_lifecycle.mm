# minimega's container_lifecycle scenario, on the built-in host filesystem
.annotate false
vm config hostname foo
vm launch container foo[0-2]
.columns name,state vm info
vm start foo0
.columns name,state vm info
vm kill foo0
.columns name,state vm info
vm start foo0
.columns name,state vm info
vm kill foo1
.columns name,state vm info
vm start all
.columns name,state vm info
vm start foo1
.columns name,state vm info
vm stop foo0
.columns name,state vm info
vm start foo0
.columns name,state vm info
vm kill foo0
vm flush
.columns name,state vm info
vm kill all
vm flush
.columns name,state vm info
