SET ROLE app;
SELECT $1, U&"d\0061t\+000061";
RESET ALL;;
  
select 1 -- trailing; comment