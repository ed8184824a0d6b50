// Command org-offboard is the Lambda function of the portal route "org-offboard".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-offboard") }
